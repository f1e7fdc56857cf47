# Clues are plain Django models, never Wagtail pages: reporter data must not enter page
# revisions, search indexes or the page tree.
