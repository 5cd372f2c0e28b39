# Sources of services/embedded: the SQLite store behind UsageStore and CaseStore, and the demo population.
target_sources(fairuse_services PRIVATE
    embedded/DemoContent.cpp
    embedded/DemoContent.h
    embedded/DemoEmbeddedWriter.cpp
    embedded/DemoEmbeddedWriter.h
    embedded/DemoGenerator.cpp
    embedded/DemoGenerator.h
    embedded/DemoPopulation.cpp
    embedded/DemoPopulation.h
    embedded/DemoRng.h
    embedded/DemoSpeechDistribution.cpp
    embedded/DemoSpeechDistribution.h
    embedded/DemoSubscriptions.cpp
    embedded/DemoSubscriptions.h
    embedded/EmbeddedCaseStore.cpp
    embedded/EmbeddedCaseStore.h
    embedded/EmbeddedDatabase.cpp
    embedded/EmbeddedDatabase.h
    embedded/EmbeddedSql.cpp
    embedded/EmbeddedSql.h
    embedded/EmbeddedStore.cpp
    embedded/EmbeddedStore.h
    embedded/EmbeddedUsageStore.cpp
    embedded/EmbeddedUsageStore.h
)
