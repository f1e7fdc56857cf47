# The public figures are counted over the same hand-made scene as the supervisors' figures.
from ..reporting.conftest import staff  # noqa: F401
from ..reporting.test_statistics import scene  # noqa: F401
