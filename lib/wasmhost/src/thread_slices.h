// Runs a guest function in bounded slices of instructions, so that a module
// that never returns can still be stopped (duration, SIGINT/SIGTERM).
//
// wabt's public Func::Call runs to completion; the public Thread::Run(n)
// runs n instructions of the frames already pushed, but pushing a frame and
// popping the results are private members of Thread. We reach those three
// members through the standard rule that explicit template instantiations
// ignore access checking ([temp.spec.general]/6), naming them by type so that
// a changed signature in a future wabt fails to compile instead of misbehaving.
#pragma once

#include <wabt/interp/interp.h>

namespace ecc::wasmhost {

namespace wi = wabt::interp;

template <typename Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type member_of(Tag) { return Member; }
};

struct PushValuesTag {
  using type = void (wi::Thread::*)(const wi::ValueTypes&, const wi::Values&);
  friend type member_of(PushValuesTag);
};
struct PushCallTag {
  using type = wi::RunResult (wi::Thread::*)(const wi::DefinedFunc&, wi::Trap::Ptr*);
  friend type member_of(PushCallTag);
};
struct PopValuesTag {
  using type = void (wi::Thread::*)(const wi::ValueTypes&, wi::Values*);
  friend type member_of(PopValuesTag);
};

template struct Expose<PushValuesTag, &wi::Thread::PushValues>;
template struct Expose<PushCallTag, &wi::Thread::PushCall>;
template struct Expose<PopValuesTag, &wi::Thread::PopValues>;

// Pushes `func` with `params` on `thread`; Thread::Run(n) then advances it
// until RunResult::Return (popped with pop_results) or a trap.
inline wi::RunResult push_call(wi::Thread& thread, const wi::DefinedFunc& func, const wi::Values& params,
                               wi::Trap::Ptr* trap) {
  (thread.*member_of(PushValuesTag{}))(func.type().params, params);
  return (thread.*member_of(PushCallTag{}))(func, trap);
}

inline void pop_results(wi::Thread& thread, const wi::FuncType& type, wi::Values* results) {
  (thread.*member_of(PopValuesTag{}))(type.results, results);
}

}  // namespace ecc::wasmhost
