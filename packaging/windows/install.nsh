; Included by CPack's NSIS installer at the end of its install section
; (CPACK_NSIS_EXTRA_INSTALL_COMMANDS). Not built here: reviewed against
; the NSIS 3 manual and Microsoft's docs, see docs/REFERENCE.md "Other platforms and packages".

; Send To > Ferry: Explorer passes every selected item to one ferry.exe,
; which hands them to the running window.
CreateShortCut "$SENDTO\Ferry.lnk" "$INSTDIR\bin\ferry.exe" "" "$INSTDIR\bin\ferry.exe" 0

; "Share with Ferry" on files and folders. A "%1" verb starts one process per
; selected item (and Explorer hides it beyond 15): the single-instance
; channel gathers them into the running window.
WriteRegStr HKLM "Software\Classes\*\shell\Ferry" "" "Share with Ferry"
WriteRegStr HKLM "Software\Classes\*\shell\Ferry" "Icon" "$INSTDIR\bin\ferry.exe,0"
WriteRegStr HKLM "Software\Classes\*\shell\Ferry\command" "" '"$INSTDIR\bin\ferry.exe" "%1"'
WriteRegStr HKLM "Software\Classes\Directory\shell\Ferry" "" "Share with Ferry"
WriteRegStr HKLM "Software\Classes\Directory\shell\Ferry" "Icon" "$INSTDIR\bin\ferry.exe,0"
WriteRegStr HKLM "Software\Classes\Directory\shell\Ferry\command" "" '"$INSTDIR\bin\ferry.exe" "%1"'

; Let devices on private networks in, from the local subnet only. Public
; networks stay closed unless the user opens them.
nsExec::ExecToLog 'netsh advfirewall firewall add rule name="Ferry" dir=in action=allow program="$INSTDIR\bin\ferry.exe" enable=yes profile=private remoteip=localsubnet'
Pop $0
