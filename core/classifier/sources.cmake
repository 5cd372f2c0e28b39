# core/classifier: the purpose-classifier contract (SPEC 2.3, 4.3) and the offline heuristic. Pure: no I/O, no clock.
target_sources(fairuse_core PRIVATE
    classifier/ChatCompletion.cpp
    classifier/ChatCompletion.h
    classifier/ClassifierConfig.h
    classifier/ClassifierOutput.cpp
    classifier/ClassifierOutput.h
    classifier/ClassifierPrompt.cpp
    classifier/ClassifierPrompt.h
    classifier/HeuristicClassifier.cpp
    classifier/HeuristicClassifier.h
    classifier/JsonGuard.cpp
    classifier/JsonGuard.h
    classifier/Recipe.cpp
    classifier/Recipe.h
)
