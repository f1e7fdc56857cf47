"""One date format per language on every page (FORMAT_MODULE_PATH): 2026年12月6日 in Chinese
(Django's own), 6 December 2026 in English instead of Django's "Dec. 6, 2026"."""
