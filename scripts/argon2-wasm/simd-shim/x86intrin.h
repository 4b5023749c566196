/* See emmintrin.h: _mm_roti_epi64 (XOP) is there. */
#include "emmintrin.h"
