"""Task configs and tasks."""

from dacapo._lazy import lazy_exports

from .task_config import TaskConfig  # noqa: F401
from .dummy_task_config import DummyTaskConfig  # noqa: F401
from .distance_task_config import DistanceTaskConfig  # noqa: F401
from .inner_distance_task_config import InnerDistanceTaskConfig  # noqa: F401
from .hot_distance_task_config import HotDistanceTaskConfig  # noqa: F401
from .one_hot_task_config import OneHotTaskConfig  # noqa: F401
from .affinities_task_config import AffinitiesTaskConfig  # noqa: F401
from .pretrained_task_config import PretrainedTaskConfig  # noqa: F401

# Tasks import torch (through their predictors and losses), so they load on first use.
_LAZY_TASKS = {
    "Task": "task",
    "DummyTask": "dummy_task",
    "DistanceTask": "distance_task",
    "InnerDistanceTask": "inner_distance_task",
    "HotDistanceTask": "hot_distance_task",
    "OneHotTask": "one_hot_task",
    "AffinitiesTask": "affinities_task",
    "PretrainedTask": "pretrained_task",
}

__getattr__, __dir__ = lazy_exports(__name__, _LAZY_TASKS)
