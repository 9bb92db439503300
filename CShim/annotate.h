// annotate.h - what other hooks need to know of objects declared through the
// annotation API (annotate.c, include/dept.h).
#ifndef DEPT_ANNOTATE_H
#define DEPT_ANNOTATE_H
#include "shim.h"

/// Whether a class was declared through the annotation API. Its objects are
/// described by their annotations alone: a hook that meets their address
/// (a futex word of an annotated lock) leaves them alone.
DEPT_HIDDEN bool dept_annotated_class(uint32_t cls);

#endif
