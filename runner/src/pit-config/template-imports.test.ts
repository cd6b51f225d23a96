import { describe, expect, it } from "vitest";
import { studentStarImports } from "./template-imports";

const template = new Set(["conftest.py", "tests/test_shapes.py", "helpers.py", "tests/__init__.py", "tests/util.py", "lib/__init__.py"]);
const check = (file: string, source: string) => studentStarImports([{ file, source }], template);

describe("studentStarImports", () => {
  it("finds a star import of a module the submission provides, in a test module or a conftest", () => {
    expect(check("tests/test_shapes.py", "import pytest\n\nfrom shapes import *\n")).toEqual(["tests/test_shapes.py: from shapes import *"]);
    expect(check("conftest.py", "from geometry.shapes import *  # noqa\n")).toEqual(["conftest.py: from geometry.shapes import *"]);
    expect(check("tests/test_shapes.py", "from .solution import *\n")).toEqual(["tests/test_shapes.py: from .solution import *"]);
    expect(check("tests/test_shapes.py", "from shapes import*\n")).toEqual(["tests/test_shapes.py: from shapes import*"]);
    expect(check("tests/test_shapes.py", "import pytest; from shapes import *\n")).toEqual(["tests/test_shapes.py: from shapes import *"]);
    expect(check("tests/test_shapes.py", "try:\n    from shapes import *\nexcept ImportError:\n    pass\n")).toEqual(["tests/test_shapes.py: from shapes import *"]);
  });

  it("lets star imports of the standard library, pytest and the template's own modules through", () => {
    expect(check("tests/test_shapes.py", "from math import *\nfrom pytest import *\nfrom helpers import *\nfrom lib import *\n")).toEqual([]);
    expect(check("tests/test_shapes.py", "from .util import *\nfrom . import *\n")).toEqual([]);
    // tests/util.py, found as `util` because pytest puts tests/ on sys.path.
    expect(check("tests/test_shapes.py", "from util import *\n")).toEqual([]);
  });

  it("ignores imports that name what they take, and the words in other places", () => {
    expect(check("tests/test_shapes.py", "from shapes import area, perimeter\nimport shapes\n# from shapes import * was the old way\n")).toEqual([]);
  });
});
