"""Task configs and tasks."""

from dacapo._lazy import lazy_exports

from .affinities_task_config import AffinitiesTaskConfig
from .distance_task_config import DistanceTaskConfig
from .dummy_task_config import DummyTaskConfig
from .hot_distance_task_config import HotDistanceTaskConfig
from .inner_distance_task_config import InnerDistanceTaskConfig
from .one_hot_task_config import OneHotTaskConfig
from .pretrained_task_config import PretrainedTaskConfig
from .task_config import TaskConfig

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

__all__ = [
    "AffinitiesTask",
    "AffinitiesTaskConfig",
    "DistanceTask",
    "DistanceTaskConfig",
    "DummyTask",
    "DummyTaskConfig",
    "HotDistanceTask",
    "HotDistanceTaskConfig",
    "InnerDistanceTask",
    "InnerDistanceTaskConfig",
    "OneHotTask",
    "OneHotTaskConfig",
    "PretrainedTask",
    "PretrainedTaskConfig",
    "Task",
    "TaskConfig",
]
