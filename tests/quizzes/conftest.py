from .bank_helpers import chief, editor, law, outsider, quiz  # noqa: F401 (fixtures)
