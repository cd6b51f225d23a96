# Instructor's tests for the dummy Python PIT: the student submits shapes.py.
import pytest

from shapes import rectangle_area, square_area, triangle_area


def test_rectangle_area():
    assert rectangle_area(3, 4) == 12


def test_square_area():
    assert square_area(5) == 25


def test_triangle_area():
    assert triangle_area(6, 4) == pytest.approx(12)


def test_negative_sides_are_rejected():
    with pytest.raises(ValueError):
        rectangle_area(-1, 2)
