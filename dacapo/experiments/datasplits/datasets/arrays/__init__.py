"""Array configs and their runtime arrays.

Each config names its runtime class in ``array_type``. Add new arrays to the
import list below (one line per module, keep the alphabetical blocks).
"""

from .array import Array
from .array_config import ArrayConfig
from .binarize_array import BinarizeArray
from .binarize_array_config import BinarizeArrayConfig
from .concat_array import ConcatArray
from .concat_array_config import ConcatArrayConfig
from .constant_array import ConstantArray
from .constant_array_config import ConstantArrayConfig
from .crop_array import CropArray
from .crop_array_config import CropArrayConfig
from .dummy_array import DummyArray
from .dummy_array_config import DummyArrayConfig
from .dvid_array import DVIDArray
from .dvid_array_config import DVIDArrayConfig
from .intensity_array import IntensitiesArray
from .intensity_array_config import IntensitiesArrayConfig
from .logical_or_array import LogicalOrArray
from .logical_or_array_config import LogicalOrArrayConfig
from .merge_instances_array import MergeInstancesArray
from .merge_instances_array_config import MergeInstancesArrayConfig
from .missing_annotations_mask import MissingAnnotationsMask
from .missing_annotations_mask_config import MissingAnnotationsMaskConfig
from .numpy_array import NumpyArray
from .ones_array import OnesArray
from .ones_array_config import OnesArrayConfig
from .resampled_array import ResampledArray
from .resampled_array_config import ResampledArrayConfig
from .sum_array import SumArray
from .sum_array_config import SumArrayConfig
from .tiff_array import TiffArray
from .tiff_array_config import TiffArrayConfig
from .zarr_array import ZarrArray
from .zarr_array_config import ZarrArrayConfig

__all__ = [
    "Array",
    "ArrayConfig",
    "BinarizeArray",
    "BinarizeArrayConfig",
    "ConcatArray",
    "ConcatArrayConfig",
    "ConstantArray",
    "ConstantArrayConfig",
    "CropArray",
    "CropArrayConfig",
    "DVIDArray",
    "DVIDArrayConfig",
    "DummyArray",
    "DummyArrayConfig",
    "IntensitiesArray",
    "IntensitiesArrayConfig",
    "LogicalOrArray",
    "LogicalOrArrayConfig",
    "MergeInstancesArray",
    "MergeInstancesArrayConfig",
    "MissingAnnotationsMask",
    "MissingAnnotationsMaskConfig",
    "NumpyArray",
    "OnesArray",
    "OnesArrayConfig",
    "ResampledArray",
    "ResampledArrayConfig",
    "SumArray",
    "SumArrayConfig",
    "TiffArray",
    "TiffArrayConfig",
    "ZarrArray",
    "ZarrArrayConfig",
]
