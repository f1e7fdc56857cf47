from wagtail.permission_policies.base import ModelPermissionPolicy

# Nothing a reporter sends is ever lost: no one, superusers included, adds, edits or deletes
# a clue through the generic admin views. Staff change clues only through workflow actions.
READ_ONLY_ACTIONS = {"view"}


class ClueReadOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action in READ_ONLY_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(set(actions) & READ_ONLY_ACTIONS)
