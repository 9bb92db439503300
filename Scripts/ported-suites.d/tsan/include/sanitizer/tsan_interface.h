/* Port shim: GCC 12's <sanitizer/tsan_interface.h> plus the few newer TSan
   entry points the LLVM tests call (definitions: tsanstub.c). */
#include_next <sanitizer/tsan_interface.h>
#ifndef PORTED_TSAN_EXTRA_H
#define PORTED_TSAN_EXTRA_H
#ifdef __cplusplus
extern "C" {
#endif
void __tsan_check_no_mutexes_held(void);
int __tsan_simulate(void (*callback)(void *), void *arg);
#ifdef __cplusplus
}
#endif
#endif
