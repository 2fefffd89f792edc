"""P4: seconds to import a module in a fresh interpreter (prints JSON).

    python -P bench/rows/import_time.py dacapo
"""

import json
import sys
import time

start = time.perf_counter()
__import__(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - start}))
