#include "probe.inc"

odr_probe probe_first(const std::string& token_from_other) { return run_probe(token_from_other); }
