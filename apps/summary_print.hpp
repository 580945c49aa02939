// The end of a multi-node run on stdout: every node's test accuracy, the
// averaged model's, the summary line and the push-sum weight check (the
// same for `sgp train` and a cluster's `sgp node`).
#pragma once

#include <string>

#include "runtime/run_summary.hpp"

namespace sgp::apps {

void print_run_summary(const runtime::run_summary& s, const std::string& dir);

}  // namespace sgp::apps
