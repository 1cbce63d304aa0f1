// Included first by the files built with AVX-512 flags, before <immintrin.h>: GCC 12's
// avx512fintrin.h hands _mm512_undefined_*() values to masked builtins and then warns
// about them itself (a compiler bug); no undefined lane is ever read here. The pragmas
// hold for the rest of the including file.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
