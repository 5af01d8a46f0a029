; Included by CPack's NSIS uninstaller (CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS):
; removes what install.nsh added.
Delete "$SENDTO\Ferry.lnk"
DeleteRegKey HKLM "Software\Classes\*\shell\Ferry"
DeleteRegKey HKLM "Software\Classes\Directory\shell\Ferry"
nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="Ferry" program="$INSTDIR\bin\ferry.exe"'
Pop $0
