// Light, dark or the platform's look for the whole application.
#pragma once

#include "appsettings.h"

#include <QPalette>

namespace tw::ui::theme {

// Dark: the Fusion style with a dark palette. Light: Fusion with its standard (light)
// palette. System: the style and palette the platform gave the application at start-up.
// Needs a QApplication.
void apply(AppSettings::Theme theme);

// The dark palette used by apply(Dark).
QPalette darkPalette();
// True when the application palette is dark (window colour darker than its text), e.g. to
// pick readable highlight colours.
bool isDark();

} // namespace tw::ui::theme
