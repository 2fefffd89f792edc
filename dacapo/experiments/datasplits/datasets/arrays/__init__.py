"""Array configs and their runtime arrays.

Each config names its runtime class in ``array_type``. Add new arrays to the
import list below (one line per module, keep the alphabetical blocks).
"""

from .array import Array  # noqa: F401
from .array_config import ArrayConfig  # noqa: F401
from .binarize_array import BinarizeArray  # noqa: F401
from .binarize_array_config import BinarizeArrayConfig  # noqa: F401
from .concat_array import ConcatArray  # noqa: F401
from .concat_array_config import ConcatArrayConfig  # noqa: F401
from .constant_array import ConstantArray  # noqa: F401
from .constant_array_config import ConstantArrayConfig  # noqa: F401
from .crop_array import CropArray  # noqa: F401
from .crop_array_config import CropArrayConfig  # noqa: F401
from .dummy_array import DummyArray  # noqa: F401
from .dummy_array_config import DummyArrayConfig  # noqa: F401
from .dvid_array import DVIDArray  # noqa: F401
from .dvid_array_config import DVIDArrayConfig  # noqa: F401
from .intensity_array import IntensitiesArray  # noqa: F401
from .intensity_array_config import IntensitiesArrayConfig  # noqa: F401
from .logical_or_array import LogicalOrArray  # noqa: F401
from .logical_or_array_config import LogicalOrArrayConfig  # noqa: F401
from .merge_instances_array import MergeInstancesArray  # noqa: F401
from .merge_instances_array_config import MergeInstancesArrayConfig  # noqa: F401
from .missing_annotations_mask import MissingAnnotationsMask  # noqa: F401
from .missing_annotations_mask_config import MissingAnnotationsMaskConfig  # noqa: F401
from .numpy_array import NumpyArray  # noqa: F401
from .ones_array import OnesArray  # noqa: F401
from .ones_array_config import OnesArrayConfig  # noqa: F401
from .resampled_array import ResampledArray  # noqa: F401
from .resampled_array_config import ResampledArrayConfig  # noqa: F401
from .sum_array import SumArray  # noqa: F401
from .sum_array_config import SumArrayConfig  # noqa: F401
from .tiff_array import TiffArray  # noqa: F401
from .tiff_array_config import TiffArrayConfig  # noqa: F401
from .zarr_array import ZarrArray  # noqa: F401
from .zarr_array_config import ZarrArrayConfig  # noqa: F401
