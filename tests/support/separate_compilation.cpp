// The one translation unit of a separately compiled program that defines the
// library (config.hpp, "Separate compilation"): built with
// LKWEBHOOK_SEPARATE_COMPILATION, like every other file of its target.
#include <lkwebhook/src.hpp>
