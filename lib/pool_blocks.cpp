#include "pool_blocks.h"

#include <algorithm>

namespace prockit {

PoolBlocks::PoolBlocks(const PipeOptions& opt, int in_fd, unsigned slots)
    : opt_(opt), source_(opt, in_fd, slots), round_robin_(opt.round_robin && opt.feed == PipeOptions::Feed::stdin_pipe) {
    if (opt.feed == PipeOptions::Feed::cat) check_temp_dir("--cat");
    if (opt.feed == PipeOptions::Feed::fifo) check_temp_dir("--fifo");
}

JobSource::Next PoolBlocks::take(Job& job) {
    std::shared_ptr<const Block> block;
    BlockSource::Next n = source_.next(block);
    if (n == BlockSource::Next::end) return JobSource::Next::end;
    if (n == BlockSource::Next::later) return JobSource::Next::later;
    // --cat: {} names a file that holds the block; --fifo: a FIFO the pool
    // writes it into. Either way {} is the job's argument.
    job.feed.sent = block->size();  // the joblog's Send, as GNU parallel counts it: the block given
    if (opt_.feed == PipeOptions::Feed::cat) {
        bool whole = true;
        job.feed.temp = block_file(*block, whole);
        job.feed.broken = !whole;  // its --pipepart file shrank: the job fails
    } else {
        job.feed.block = std::move(block);
    }
    if (opt_.feed == PipeOptions::Feed::fifo) job.feed.temp = block_fifo();
    job.feed.round_robin = round_robin_;
    if (job.feed.temp) job.input.records = {{job.feed.temp->path}};
    return JobSource::Next::job;
}

bool PoolBlocks::any_idle(const RunningJobs& jobs) const {
    return std::any_of(jobs.begin(), jobs.end(), [](const auto& j) { return j->feed.idle; });
}

// Each job has the header once, in front of its first block, as GNU
// parallel's --round-robin.
void PoolBlocks::refeed(RunningJobs& jobs, bool more, bool& ended) {
    for (bool fed = true; fed;) {  // again while a pipe took all at once
        fed = false;
        for (auto& j : jobs) {
            if (!j->feed.idle) continue;
            std::shared_ptr<const Block> block;  // none: the end
            if (!ended && more) {
                BlockSource::Next n = source_.next(block);
                if (n == BlockSource::Next::later) return;
                if (n == BlockSource::Next::end) ended = true;
            }
            if (block && block->header) {
                auto bare = std::make_shared<Block>(*block);
                bare->header.reset();
                block = std::move(bare);
            }
            prockit::refeed(j->feed, std::move(block));
            fed = true;
        }
    }
}

}  // namespace prockit
