# Sources of core/ledger: STT budget of restricted users, LLM price table, spend ledger and spend reports.
target_sources(fairuse_core PRIVATE
    ledger/LlmSpendLedger.cpp
    ledger/LlmSpendLedger.h
    ledger/PriceTable.cpp
    ledger/PriceTable.h
    ledger/SpendReport.cpp
    ledger/SpendReport.h
    ledger/SttBudget.cpp
    ledger/SttBudget.h
)
