// Every function is wrong on purpose: no test passes.
module.exports = {
  add: (a, b) => a - b,
  subtract: (a, b) => a + b,
  multiply: () => 0,
};
