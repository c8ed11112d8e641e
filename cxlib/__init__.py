"""cxlib: the helper package of cx-course-kit, a course in customer-experience analytics.

The modules hold the arithmetic the lessons teach; each function takes a DataFrame
(or an array) and column names and returns a tidy DataFrame or a small result
object. See ``README.md`` and ``datasets/README.md``.
"""

from .errors import CxlibError, DataError, InputError
from .results import Estimate

__all__ = ["CxlibError", "DataError", "InputError", "Estimate"]
__version__ = "0.1.0"
