"""``dacapo demo``: the whole system on synthetic EM-like data, in one command.

It writes training and validation crops and a larger volume
(``data``), stores and trains two small 3D U-Nets with validation
(``runs``: mitochondria as distances, cells as affinities), applies each
run's best checkpoint and parameters blockwise to the volume and scores the
result against its ground truth (``volume``), plots the runs and prints the
scores (``report``). Everything goes under the options' ``runs_base_dir``
(see ``layout``), and a second call reuses what the first one made.
"""

from .layout import RUN_NAMES, DemoLayout
from .report import DemoResult, format_report
from .settings import DemoSettings
from .workflow import demo_layout, run_demo

__all__ = ["DemoLayout", "DemoResult", "DemoSettings", "RUN_NAMES", "demo_layout",
           "format_report", "run_demo"]
