# triangle_area forgets to halve and negative sides are accepted: 2 of 4 tests pass.
def rectangle_area(width, height):
    return width * height


def square_area(side):
    return rectangle_area(side, side)


def triangle_area(base, height):
    return base * height
