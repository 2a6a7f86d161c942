// SPDX-License-Identifier: GPL-3.0-or-later
// stint: the desktop app. Wiring and process hardening only; everything else lives in services/client and ui/.
#include "core/ProcessHardening.h"

#include <QApplication>

int main(int argc, char* argv[])
{
    stint::process::hardenProcess();
    QApplication app(argc, argv);
    return 0;
}
