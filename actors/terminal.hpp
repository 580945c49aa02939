// The terminal's progress line, shared by the supervisor (which writes it)
// and the interactive console (which draws it above its prompt, so that a
// redraw never erases what is being typed).
#pragma once

#include <functional>
#include <string>

namespace sgp::actors {

/// Shows `text` as the progress line: redrawn in place on a terminal, one
/// line each call otherwise, or handed to the console while one draws it.
void show_progress(const std::string& text);

/// Ends the progress line (the next output starts on a fresh line).
void end_progress();

/// While set, progress lines go to `sink` instead of stderr (the console
/// draws them on its own thread; "" ends a line); an empty function gives
/// them back.
void set_progress_sink(std::function<void(const std::string&)> sink);

}  // namespace sgp::actors
