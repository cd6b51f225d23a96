# Makes the student's modules at the workspace root importable from tests/.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
