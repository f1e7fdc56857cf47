from portal.permissions import NoDeletePolicy


class AttemptPolicy(NoDeletePolicy):
    """Attempts are made by participants only, and kept (scores, certificates): an editor
    hides a leaderboard entry, never adds or deletes one."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)
