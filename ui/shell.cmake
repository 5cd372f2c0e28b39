# Main window, queue view, filters, saved views, export, shortcuts, connection banner and profiles.
target_sources(fairuse_ui PRIVATE
    ConnectionBanner.cpp
    ConnectionBanner.h
    Export.cpp
    Export.h
    FilterBar.cpp
    FilterBar.h
    MainWindow.cpp
    MainWindow.h
    MainWindowActions.cpp
    ProfileDialog.cpp
    ProfileDialog.h
    QueueView.cpp
    QueueProxy.cpp
    QueueProxy.h
    QueueView.h
    SavedViewsControl.cpp
    SavedViewsControl.h
    ShortcutsDialog.cpp
    ShortcutsDialog.h
    SignInDialog.cpp
    SignInDialog.h
)
