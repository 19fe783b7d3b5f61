// The deliberate kernel stack overflow behind `test=stack-overflow`: recursion with a frame
// the compiler cannot drop, until the stack runs into its unmapped guard page.
#include "KernelSupport.h"

void stack_overflow_provoke(uint64_t depth) {
  volatile uint8_t frame[512];
  if (depth == UINT64_MAX) return;  // never: only keeps the recursion from being provably infinite
  frame[0] = (uint8_t)depth;
  stack_overflow_provoke(depth + 1);
  frame[1] = frame[0];  // keeps the call from being a tail call
}
