"""A software prefetch hint for kernels that walk an audience in an unpredictable order,
and how far ahead the cascade kernels look.

The default, calendar and competing-contents kernels list a step's impressions a batch
at a time (``SHOW_BATCH``) and then show them in order, asking for the state of the user
``PREFETCH_STATE`` impressions ahead of the one being shown; while they list, they ask
for the row bounds and the first followers of the sharers ``PREFETCH_BOUNDS`` and
``PREFETCH_ROW`` ahead when a step has more than ``PREFETCH_MIN`` sharers (the
threshold kernel, which shows each impression as it finds it, always does). Each kernel
runs its own look-ahead loop; these are the distances they share.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

#: Impressions listed before they are shown, and how far ahead of the one being shown
#: its user's state is prefetched.
SHOW_BATCH = 256
PREFETCH_STATE = 12
#: Sharers ahead of the one listed whose row bounds / first followers are prefetched,
#: when a step has more than ``PREFETCH_MIN`` sharers.
PREFETCH_BOUNDS = 8
PREFETCH_ROW = 4
PREFETCH_MIN = 16


@intrinsic
def prefetch(typingctx, arr, idx):
    """Hint the CPU to load the cache line holding ``arr[idx]`` (no bounds check, no fault).

    A cascade visits its sharers' rows in an order the hardware prefetcher cannot
    guess; asking a few sharers ahead hides most of the memory latency on audiences
    larger than the caches.
    """
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aryty, idxty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        i = context.cast(builder, args[1], idxty, types.intp)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [i], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        # read access, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen
