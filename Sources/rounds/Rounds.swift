import ArgumentParser

@main
struct Rounds: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rounds",
        abstract: "Make synthetic medical images clinically trustworthy: checklists, an LLM judge, feedback finetuning.",
        version: RoundsVersion.string,
        subcommands: [
            ChecklistCommand.self,
            ImageCommand.self,
            Images.self,
            Labels.self,
            Export.self,
            DatasetCommand.self,
            SimulatorCommand.self,
            Judge.self,
            PairsCommand.self,
            BrokerCommand.self,
            AgreementCommand.self,
            Train.self,
            Finetune.self,
            Round.self,
            ClassifierCommand.self,
            RewardCommand.self,
            Sample.self,
            Transfer.self,
            ModelCommand.self,
            CASCommand.self,
            Metrics.self,
            ReportCommand.self,
            StudioCommand.self,
            Bench.self,
            Demo.self,
        ]
    )
}

enum RoundsVersion {
    static let string = "0.1.0"
}
