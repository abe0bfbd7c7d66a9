// Transition cards: what a privilege change did to the machine and why, in a
// few lines a student can check against the SDM. Made from the events the
// model publishes (before/after register files) and the MSRs as programmed.
#pragma once
#include <string>

#include "sysentry/events.hpp"
#include "sysentry/msr_view.hpp"
#include "sysentry/symbolizer.hpp"

namespace sysentry {

struct CardContext {
    const Symbolizer& symbols;
    SyscallMsrs msrs;
    bool entered_by_int80 = false;  // the call being returned from came in by `int $0x80`
};

std::string transition_card(const TransitionEvent& e, const CardContext& c);
std::string transition_summary(const TransitionEvent& e, const CardContext& c);  // one line
std::string fault_card(const FaultEvent& f, const Symbolizer& symbols);
std::string signal_card(const SignalDeliveryEvent& e, const Symbolizer& symbols);

}  // namespace sysentry
