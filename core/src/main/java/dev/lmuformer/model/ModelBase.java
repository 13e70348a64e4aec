package dev.lmuformer.model;

/** What every model holds: its configuration and its state_dict, whose keys are the reference's. */
abstract class ModelBase implements SequenceModel {
    final ModelConfig config;
    final StateDict state = new StateDict();

    ModelBase(ModelConfig config) {
        this.config = config;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public StateDict state() {
        return state;
    }

    @Override
    public int numClasses() {
        return config.numClasses();
    }
}
