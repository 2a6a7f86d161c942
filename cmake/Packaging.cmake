# SPDX-License-Identifier: GPL-3.0-or-later
# Install rules and the two Debian packages (cpack -G DEB):
#   stint        the desktop app: binary, .desktop entry, icon, AppStream metainfo, man page (translations are in
#                the binary)
#   stint-cloud  the service: binary, a hardened systemd unit, its system user (sysusers.d), man page, operations guide
# tests/packaging/check-packages.sh builds both and runs lintian, desktop-file-validate, appstreamcli validate and
# systemd-analyze verify on them.
include(GNUInstallDirs)

set(STINT_APP_ID io.stint.Stint)
set(STINT_MAINTAINER "Stint developers <packages@stint-app.org>")
set(packaging_dir ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${packaging_dir})

# Debian wants man pages and changelogs gzipped, reproducibly (-n: no name or time stamp in the header).
find_program(STINT_GZIP gzip REQUIRED)
function(stint_gzip_file source output)
    add_custom_command(OUTPUT ${output}
        COMMAND ${STINT_GZIP} -9nc ${source} > ${output}
        DEPENDS ${source} VERBATIM)
endfunction()

string(TIMESTAMP changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
foreach(pkg stint stint-cloud)
    file(WRITE ${packaging_dir}/${pkg}.changelog
        "${pkg} (${PROJECT_VERSION}) unstable; urgency=medium\n\n  * Release ${PROJECT_VERSION}.\n\n -- ${STINT_MAINTAINER}  ${changelog_date}\n")
    stint_gzip_file(${packaging_dir}/${pkg}.changelog ${packaging_dir}/${pkg}.changelog.gz)
endforeach()
stint_gzip_file(${PROJECT_SOURCE_DIR}/docs/man/stint.1 ${packaging_dir}/stint.1.gz)
stint_gzip_file(${PROJECT_SOURCE_DIR}/docs/man/stint-cloud.1 ${packaging_dir}/stint-cloud.1.gz)
add_custom_target(stint_packaging_files ALL DEPENDS
    ${packaging_dir}/stint.changelog.gz ${packaging_dir}/stint-cloud.changelog.gz
    ${packaging_dir}/stint.1.gz ${packaging_dir}/stint-cloud.1.gz)

# --- stint (component desktop) ---
install(TARGETS stint RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT desktop)
install(FILES resources/linux/${STINT_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications COMPONENT desktop)
install(FILES resources/linux/${STINT_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo
    COMPONENT desktop)
install(FILES resources/icons/stint.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
    RENAME ${STINT_APP_ID}.svg COMPONENT desktop)
install(FILES ${packaging_dir}/stint.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT desktop)
install(FILES resources/linux/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/stint COMPONENT desktop)
install(FILES ${packaging_dir}/stint.changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/stint
    RENAME changelog.gz COMPONENT desktop)

# --- stint-cloud (component cloud) ---
install(TARGETS stint-cloud RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cloud)
# Debian 12 keeps units under /lib/systemd/system (merged /usr: the same directory).
install(FILES resources/linux/stint-cloud.service DESTINATION /lib/systemd/system COMPONENT cloud)
install(FILES resources/linux/stint-cloud.sysusers DESTINATION /usr/lib/sysusers.d RENAME stint-cloud.conf
    COMPONENT cloud)
install(FILES ${packaging_dir}/stint-cloud.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT cloud)
install(FILES resources/linux/copyright docs/operations.md docs/api.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/stint-cloud
    COMPONENT cloud)
install(FILES ${packaging_dir}/stint-cloud.changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/stint-cloud
    RENAME changelog.gz COMPONENT cloud)

# --- CPack ---
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stint)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Stint")
set(CPACK_PACKAGE_CONTACT ${STINT_MAINTAINER})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL desktop cloud)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/stint-app/stint")
set(CPACK_DEBIAN_DESKTOP_PACKAGE_NAME stint)
set(CPACK_DEBIAN_DESKTOP_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_DESKTOP_DESCRIPTION "just-in-time admin access to Microsoft Entra ID tenants (desktop app)
Stint removes standing administrator accounts from the Microsoft Entra ID
tenants a managed service provider looks after. A technician signs in with a
FIDO2 security key or passkey, asks for access to a customer tenant, and gets
a named account with exactly the roles the access policy allows, for as long
as it allows; afterwards the roles are removed, sessions revoked and the
account disabled.

This package holds the desktop app: the technician and admin views, the tray
icon with countdowns, and the stint command line.")
# The keychain is reached over D-Bus at run time (Secret Service); gnome-keyring or KWallet provide it. Qt's own
# strings (dialog buttons, context menus) come translated from qt6-translations-l10n; Stint's are in the binary.
set(CPACK_DEBIAN_DESKTOP_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager, xdg-utils, qt6-translations-l10n")
set(CPACK_DEBIAN_CLOUD_PACKAGE_NAME stint-cloud)
set(CPACK_DEBIAN_CLOUD_PACKAGE_SECTION admin)
# postinst makes the system user with systemd-sysusers, or adduser where systemd is not there.
set(CPACK_DEBIAN_CLOUD_PACKAGE_DEPENDS "adduser")
set(CPACK_COMPONENT_CLOUD_DESCRIPTION "just-in-time admin access to Microsoft Entra ID tenants (service)
Stint removes standing administrator accounts from the Microsoft Entra ID
tenants a managed service provider looks after.

This package holds stint-cloud, the service the desktop apps talk to: the
API and live events, passkey sign-in, access policies, the provisioning
engine that calls Microsoft Graph, durable expiry and a tamper-evident
audit log, on an embedded encrypted store. It ships a hardened systemd unit
(its own system user, state directory, the master key through
LoadCredential=) that is not started until configured.")
# dpkg takes maintainer scripts by their file name.
configure_file(resources/linux/stint-cloud.postinst ${packaging_dir}/cloud-control/postinst COPYONLY)
set(CPACK_DEBIAN_CLOUD_PACKAGE_CONTROL_EXTRA ${packaging_dir}/cloud-control/postinst)
set(CPACK_DEBIAN_CLOUD_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
