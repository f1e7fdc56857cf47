from tests.reporting.conftest import report_page, staff, valid_data  # noqa: F401 (fixtures)
