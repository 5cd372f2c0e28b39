# Sources of services/llm: the LLM classifier client and the offline heuristic service.
target_sources(fairuse_services PRIVATE
    llm/ClassifierSpendBooking.cpp
    llm/ClassifierSpendBooking.h
    llm/HeuristicClassifierService.cpp
    llm/HeuristicClassifierService.h
    llm/OpenAiClassifier.cpp
    llm/OpenAiClassifier.h
    llm/RetryPolicy.cpp
    llm/RetryPolicy.h
)
