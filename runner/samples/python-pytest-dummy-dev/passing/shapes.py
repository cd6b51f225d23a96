def rectangle_area(width, height):
    if width < 0 or height < 0:
        raise ValueError("sides must not be negative")
    return width * height


def square_area(side):
    return rectangle_area(side, side)


def triangle_area(base, height):
    return base * height / 2
