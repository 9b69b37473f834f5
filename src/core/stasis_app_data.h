// Stasis application data as the dialplan writes it and ARI reports it in
// `dialplan_app_data`: "app,arg0,arg1,...". The projector reads it on the
// observer stream (ChannelDialplan into Stasis) and in channel snapshots
// (an originated leg's Stasis(call-center,agent,<call channel>)).
#pragma once

#include <string>
#include <vector>

namespace callledger::fold {

struct StasisAppData {
  std::string app;                // the application's name
  std::vector<std::string> args;  // the arguments after it, empty ones kept
};

// Splits on every comma; no quoting (Asterisk passes the arguments as
// written). "" gives an empty app and no arguments.
StasisAppData SplitAppData(const std::string& data);

}  // namespace callledger::fold
