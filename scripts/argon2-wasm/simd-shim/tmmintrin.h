/* See emmintrin.h: everything opt.c needs is there. */
#include "emmintrin.h"
