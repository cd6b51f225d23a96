// Instructor's tests for the dummy Node PIT: the student submits calculator.js.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const calculator = require("../calculator.js");

test("add sums two numbers", () => {
  assert.equal(calculator.add(2, 3), 5);
});

test("subtract takes the second from the first", () => {
  assert.equal(calculator.subtract(10, 4), 6);
});

test("multiply multiplies two numbers", () => {
  assert.equal(calculator.multiply(6, 7), 42);
});
