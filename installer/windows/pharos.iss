; Inno Setup 6 script for Pharos (Windows x64). Build note: BUILD.md beside this file.
;
;   iscc /DAppVersion=0.1.0 /DBundleDir=..\..\build\pyinstaller\dist\pharos installer\windows\pharos.iss
;
; Installs the PyInstaller one-folder bundle under "C:\Program Files\Pharos", a Start-menu
; shortcut (pharosw.exe: no console window) and, optionally, pharos.exe on the PATH for
; the command line. Data lives in %LOCALAPPDATA%\Pharos (app/paths.py) and is never
; installed or removed by this script: an upgrade keeps it (the new version migrates the
; database at first start, after a backup) and uninstall leaves it in place.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\build\pyinstaller\dist\pharos"
#endif

[Setup]
; never change AppId: upgrades find the previous install through it
AppId={{6F0F7C52-3C0B-4E0B-9C55-5A3A1D6B0C11}
AppName=Pharos
AppVersion={#AppVersion}
AppPublisher=Pharos CT factory quality
DefaultDirName={autopf}\Pharos
DefaultGroupName=Pharos
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
OutputDir=..\..\dist
OutputBaseFilename=pharos-{#AppVersion}-windows-x64-setup
SetupIconFile=pharos.ico
UninstallDisplayIcon={app}\pharosw.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
CloseApplications=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "addtopath"; Description: "Add pharos.exe to the system PATH (command line)"; Flags: unchecked
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; Flags: unchecked

[InstallDelete]
; an upgrade replaces the whole bundle: no library of the old version may linger
Type: filesandordirs; Name: "{app}\_internal"
Type: filesandordirs; Name: "{app}\numba_cache"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Pharos"; Filename: "{app}\pharosw.exe"
Name: "{group}\Pharos self-check"; Filename: "{cmd}"; Parameters: "/k ""{app}\pharos.exe"" --self-check"
Name: "{autodesktop}\Pharos"; Filename: "{app}\pharosw.exe"; Tasks: desktopicon

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
    ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
    Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[UninstallDelete]
; kernels compiled at installation (not in the installer's file list)
Type: filesandordirs; Name: "{app}\numba_cache"

[Run]
; the detector-matching optimiser's compiled kernels for this PC's CPU (operators' data
; folders copy them at first use: no compilation inside an optimisation's time limit)
Filename: "{app}\pharos.exe"; Parameters: "match warmup --cache-dir ""{app}\numba_cache"""; \
    StatusMsg: "Compiling the detector-matching optimiser for this CPU..."; Flags: runhidden waituntilterminated
Filename: "{app}\pharosw.exe"; Description: "Start Pharos (the first-run setup wizard opens)"; \
    Flags: postinstall nowait skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKLM, 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment',
                             'Path', Path) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
