from wagtail.permission_policies.base import ModelPermissionPolicy


class NoDeletePolicy(ModelPermissionPolicy):
    """For records other records or printed matter point at for good (units, poster codes):
    nobody deletes them in the admin; they are renamed or switched off instead."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
