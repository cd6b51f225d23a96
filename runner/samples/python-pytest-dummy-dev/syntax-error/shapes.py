# Does not parse: a missing colon.
def rectangle_area(width, height)
    return width * height


def square_area(side):
    return side * side


def triangle_area(base, height):
    return base * height / 2
