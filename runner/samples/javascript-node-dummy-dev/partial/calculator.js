// multiply is wrong on purpose: 2 of 3 tests pass.
module.exports = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a + b,
};
