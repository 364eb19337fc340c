# hostile: import
import sys

sys.exit(0)
