import pytest

from app.charter.present import clear_pdf_cache


@pytest.fixture(autouse=True)
def _fresh_pdf_cache():
    """Tests reuse ids and frozen dates: never let one test's PDF answer another's."""
    clear_pdf_cache()
    yield
    clear_pdf_cache()
