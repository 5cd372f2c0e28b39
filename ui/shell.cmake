# Main window, queue view, filters, export, shortcuts, connection banner and profiles.
target_sources(fairuse_ui PRIVATE
    ConnectionBanner.cpp
    ConnectionBanner.h
    Export.cpp
    Export.h
    FilterBar.cpp
    FilterBar.h
    MainWindow.cpp
    MainWindow.h
    ProfileDialog.cpp
    ProfileDialog.h
    QueueView.cpp
    QueueProxy.cpp
    QueueProxy.h
    QueueView.h
    ShortcutsDialog.cpp
    ShortcutsDialog.h
    SignInDialog.cpp
    SignInDialog.h
)
